package io.latchkey.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

/**
 * A value read from a file and read again when the file changes, including the symlink swap Kubernetes performs
 * when it updates a mounted Secret. A request that already took the old value keeps it.
 */
final class FileValueSource implements ValueSource {

    private static final Logger LOG = Logger.getLogger(FileValueSource.class);
    /** Secrets are short; a larger file is a mistake (a certificate chain, a log) and is refused. */
    static final long MAX_BYTES = 64 * 1024;

    private final Path path;
    private final String description;
    private final AtomicReference<Resolution> current = new AtomicReference<>();
    private final FileWatcher.Registration registration;
    private final boolean multiline;

    FileValueSource(Path path, FileWatcher watcher, boolean multiline) {
        this.path = path;
        this.multiline = multiline;
        this.description = "file:" + path;
        current.set(read());
        this.registration = watcher.watch(path, this::reload);
    }

    @Override
    public Resolution current() {
        return current.get();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        registration.cancel();
    }

    private void reload() {
        Resolution next = read();
        Resolution previous = current.getAndSet(next);
        if (!next.equals(previous)) {
            if (next instanceof Resolution.Unavailable unavailable) {
                LOG.warnf("Secret %s is now unavailable: %s", description, unavailable.reason());
            } else {
                LOG.infof("Secret %s changed; new requests use the new value", description);
            }
        }
    }

    private Resolution read() {
        try {
            if (Files.size(path) > MAX_BYTES) {
                return Resolution.unavailable(description + " is larger than " + MAX_BYTES + " bytes");
            }
            return SecretValues.accept(Files.readString(path, StandardCharsets.UTF_8), description, multiline);
        } catch (NoSuchFileException e) {
            return Resolution.unavailable(description + " does not exist");
        } catch (IOException | RuntimeException e) {
            return Resolution.unavailable(description + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
