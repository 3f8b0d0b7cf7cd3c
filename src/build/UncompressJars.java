import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites every jar of a packaged application with its entries stored rather than deflated: same entries, same order,
 * same bytes, same times, only not compressed. The package phase runs it on target/quarkus-app and
 * target/quarkus-app-without-database (pom.xml, execution uncompress-jars):
 *
 * <pre>
 *   java src/build/UncompressJars.java target/quarkus-app ...
 * </pre>
 *
 * Why: Quarkus's class loader reads each class's bytes out of its jar at start-up, with the class archive too (the JVM
 * checks the bytes of classes a custom loader defines), and inflating them was a tenth of the main thread's start-up
 * on one CPU. Stored jars brought the first proxied 200 about 0.2 s sooner (README, "Images"). The directory grows (54
 * to 135 MiB for the without-database build) while an image layer, compressed as a whole, shrinks (49 to 35 MB).
 * <p>
 * Each entry's bytes are checked against the CRC its jar records before they are written, so a jar that reads back
 * differently stops the build instead of shipping. A jar already stored is left as it is; running it twice is harmless.
 * Runs with the JDK alone (the source launcher), so it needs no compiled classes and no dependencies.
 */
public final class UncompressJars {

    private UncompressJars() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: java UncompressJars.java <application directory>...");
            System.exit(2);
        }
        for (String arg : args) {
            Path directory = Path.of(arg);
            if (!Files.isDirectory(directory)) {
                // Not every build makes both (the native profile skips the without-database build, an uber-jar makes
                // neither); there is nothing to rewrite then.
                System.out.println("[uncompress-jars] " + directory + " was not built; skipped");
                continue;
            }
            int rewritten = 0;
            int jars = 0;
            for (Path jar : jarsUnder(directory)) {
                jars++;
                if (rewriteStored(jar)) {
                    rewritten++;
                }
            }
            System.out.printf("[uncompress-jars] %s: %d of %d jars rewritten with stored entries%n", directory,
                    rewritten, jars);
        }
    }

    private static List<Path> jarsUnder(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar") && Files.isRegularFile(file))
                    .sorted()
                    .toList();
        }
    }

    /** Returns whether the jar had a compressed entry and was rewritten. */
    static boolean rewriteStored(Path jar) throws IOException {
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".stored");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<ZipEntry> entries = new ArrayList<>();
            boolean compressed = false;
            for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements();) {
                ZipEntry entry = all.nextElement();
                entries.add(entry);
                compressed |= entry.getMethod() != ZipEntry.STORED;
            }
            if (!compressed) {
                return false;
            }
            writeStored(jar, zip, entries, rewritten);
        }
        // Replaced once the original is closed: a file still open cannot be replaced on every platform.
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private static void writeStored(Path jar, ZipFile zip, List<ZipEntry> entries, Path rewritten)
            throws IOException {
        try (OutputStream file = Files.newOutputStream(rewritten);
                ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(file, 1 << 16))) {
            out.setMethod(ZipOutputStream.STORED);
            for (ZipEntry entry : entries) {
                byte[] bytes = read(zip, entry);
                out.putNextEntry(storedCopy(jar, entry, bytes));
                out.write(bytes);
                out.closeEntry();
            }
            out.setComment(zip.getComment());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(rewritten);
            throw e;
        }
    }

    private static byte[] read(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    /** The entry as it was (name, times, extra field, comment), stored, with its size and checksum. */
    private static ZipEntry storedCopy(Path jar, ZipEntry entry, byte[] bytes) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (entry.getCrc() != -1 && entry.getCrc() != crc.getValue()) {
            throw new IOException(jar + ": entry " + entry.getName() + " does not match the checksum its jar records");
        }
        ZipEntry stored = new ZipEntry(entry);
        stored.setMethod(ZipEntry.STORED);
        stored.setSize(bytes.length);
        stored.setCompressedSize(bytes.length);
        stored.setCrc(crc.getValue());
        return stored;
    }
}
