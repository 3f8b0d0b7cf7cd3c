package io.latchkey.secret;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Tells interested parties that a file may have changed. It watches the file's directory, because Kubernetes
 * updates Secret and ConfigMap mounts by swapping a {@code ..data} symlink there rather than writing the file, and it
 * also calls every listener at a fixed interval, as a backstop for file systems and layouts whose events are missed.
 * Listeners run on the watcher's own thread, where blocking file reads are fine, and must compare content
 * themselves: a call means "look again", not "it changed".
 */
public final class FileWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FileWatcher.class);

    private final WatchService watchService;
    private final Duration pollInterval;
    private final Map<Path, List<Registration>> byDirectory = new ConcurrentHashMap<>();
    private final Map<WatchKey, Path> directories = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public FileWatcher(Duration pollInterval) {
        this.pollInterval = pollInterval;
        try {
            this.watchService = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot watch files for changes", e);
        }
        this.thread = new Thread(this::run, "latchkey-file-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Calls {@code onChange} (on the watcher thread) whenever {@code file} may have changed. */
    public Registration watch(Path file, Runnable onChange) {
        Path directory = file.toAbsolutePath().normalize().getParent();
        Registration registration = new Registration(directory, onChange);
        byDirectory.computeIfAbsent(directory, this::register).add(registration);
        return registration;
    }

    private List<Registration> register(Path directory) {
        try {
            WatchKey key = directory.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            directories.put(key, directory);
        } catch (IOException | RuntimeException e) {
            // The directory may appear later (a volume mounted after start); the interval backstop covers it.
            LOG.debugf("Not watching %s for events (%s); polling it instead", directory, e.getClass().getSimpleName());
        }
        return new CopyOnWriteArrayList<>();
    }

    private void run() {
        long intervalNanos = pollInterval.toNanos();
        long nextPoll = System.nanoTime() + intervalNanos;
        while (!closed) {
            try {
                WatchKey key = watchService.poll(Math.max(1, nextPoll - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    Path directory = directories.get(key);
                    key.reset();
                    if (directory != null) {
                        notifyAll(byDirectory.getOrDefault(directory, List.of()));
                    }
                }
                if (System.nanoTime() - nextPoll >= 0) {
                    byDirectory.values().forEach(this::notifyAll);
                    nextPoll = System.nanoTime() + intervalNanos;
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
        }
    }

    private void notifyAll(List<Registration> registrations) {
        for (Registration registration : registrations) {
            try {
                registration.onChange.run();
            } catch (RuntimeException e) {
                LOG.errorf("A file change listener for %s failed: %s", registration.directory, e.getClass().getName());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.debug("Closing the file watch service failed", e);
        }
    }

    /** One listener; cancel it when the file no longer matters. */
    public final class Registration {
        private final Path directory;
        private final Runnable onChange;

        private Registration(Path directory, Runnable onChange) {
            this.directory = directory;
            this.onChange = onChange;
        }

        public void cancel() {
            List<Registration> registrations = byDirectory.get(directory);
            if (registrations != null) {
                registrations.remove(this);
            }
        }
    }
}
