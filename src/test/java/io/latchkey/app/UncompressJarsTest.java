package io.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/build/UncompressJars.java, run as the package phase runs it (the JDK's source launcher, one process): deflated
 * jars come out stored with the same entries in the same order, the same bytes and times; stored jars are left alone;
 * a jar whose bytes do not match its checksums stops the run and stays as it was.
 */
class UncompressJarsTest {

    private static final Path TOOL = Path.of("src/build/UncompressJars.java");
    private static final FileTime WRITTEN = FileTime.fromMillis(1_700_000_000_000L);

    @TempDir
    Path directory;

    @Test
    void rewritesDeflatedJarsWithTheSameEntriesStored() throws Exception {
        Path jar = Files.createDirectories(directory.resolve("lib/main")).resolve("a.jar");
        byte[] large = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        writeDeflated(jar, List.of(
                new Entry("META-INF/", new byte[0]),
                new Entry("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8)),
                new Entry("z/Last.class", new byte[] { (byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe }),
                new Entry("a/Large.txt", large)));
        long deflatedSize = Files.size(jar);

        Run run = run(directory, directory.resolve("never-built"));

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("1 of 1 jars rewritten with stored entries")
                .contains("never-built was not built; skipped");
        assertThat(Files.size(jar)).isGreaterThan(deflatedSize + 90_000);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<? extends ZipEntry> entries = Collections.list(zip.entries());
            assertThat(entries).extracting(ZipEntry::getName)
                    .containsExactly("META-INF/", "META-INF/MANIFEST.MF", "z/Last.class", "a/Large.txt");
            assertThat(entries).allSatisfy(entry -> {
                assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
                assertThat(entry.getLastModifiedTime().toMillis()).isEqualTo(WRITTEN.toMillis());
            });
            assertThat(zip.getInputStream(zip.getEntry("a/Large.txt")).readAllBytes()).isEqualTo(large);
            assertThat(zip.getInputStream(zip.getEntry("z/Last.class")).readAllBytes())
                    .containsExactly(0xca, 0xfe, 0xba, 0xbe);
        }
        assertThat(filesIn(jar.getParent())).containsExactly(jar);
    }

    @Test
    void leavesStoredJarsAsTheyAre() throws Exception {
        Path jar = directory.resolve("a.jar");
        writeDeflated(jar, List.of(new Entry("a.txt", "a".repeat(1_000).getBytes(StandardCharsets.US_ASCII))));
        assertThat(run(directory).exitCode).isZero();
        FileTime rewritten = Files.getLastModifiedTime(jar);
        byte[] bytes = Files.readAllBytes(jar);
        Files.setLastModifiedTime(jar, WRITTEN);

        Run again = run(directory);

        assertThat(again.exitCode).as(again.output).isZero();
        assertThat(again.output).contains("0 of 1 jars rewritten");
        assertThat(Files.readAllBytes(jar)).isEqualTo(bytes);
        assertThat(Files.getLastModifiedTime(jar)).isEqualTo(WRITTEN).isNotEqualTo(rewritten);
    }

    @Test
    void stopsAtAnEntryThatDoesNotMatchItsChecksumAndKeepsTheJar() throws Exception {
        Path jar = directory.resolve("broken.jar");
        writeDeflated(jar, List.of(new Entry("a.txt", "a".repeat(1_000).getBytes(StandardCharsets.US_ASCII))));
        corruptCentralDirectoryChecksum(jar);
        byte[] before = Files.readAllBytes(jar);

        Run run = run(directory);

        assertThat(run.exitCode).isNotZero();
        assertThat(run.output).contains("broken.jar: entry a.txt does not match the checksum its jar records");
        assertThat(Files.readAllBytes(jar)).isEqualTo(before);
        assertThat(filesIn(directory)).containsExactly(jar);
    }

    @Test
    void refusesToRunWithoutADirectory() throws Exception {
        Run run = run();
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).contains("usage: java UncompressJars.java <application directory>...");
    }

    private record Entry(String name, byte[] bytes) {
    }

    private record Run(int exitCode, String output) {
    }

    private static void writeDeflated(Path jar, List<Entry> entries) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream out = new ZipOutputStream(file)) {
            for (Entry entry : entries) {
                ZipEntry zipEntry = new ZipEntry(entry.name());
                zipEntry.setLastModifiedTime(WRITTEN);
                out.putNextEntry(zipEntry);
                out.write(entry.bytes());
                out.closeEntry();
            }
        }
    }

    /** Flips the CRC-32 the central directory records for the jar's first entry. */
    private static void corruptCentralDirectoryChecksum(Path jar) throws IOException {
        byte[] bytes = Files.readAllBytes(jar);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= bytes.length; i++) {
            if (buffer.getInt(i) == 0x02014b50) {
                buffer.putInt(i + 16, ~buffer.getInt(i + 16));
                Files.write(jar, bytes);
                return;
            }
        }
        throw new IllegalStateException("no central directory header in " + jar);
    }

    private static List<Path> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }

    private static Run run(Path... directories) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), TOOL.toString()));
        for (Path directory : directories) {
            command.add(directory.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
