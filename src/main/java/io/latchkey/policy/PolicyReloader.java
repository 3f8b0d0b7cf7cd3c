package io.latchkey.policy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.Sha256;

/**
 * Loads the policy file, then watches it. A changed file that parses and activates replaces the serving policy; one
 * that does not is refused, and the serving policy stays. Either way the outcome is logged, counted and kept in
 * {@link PolicyState}.
 */
public final class PolicyReloader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PolicyReloader.class);

    private final Path file;
    private final PolicyParser parser;
    private final Consumer<Policy> activation;
    private final PolicyState state;
    private final InstantSource clock;
    private FileWatcher.Registration registration;
    private String lastSeenSha256;
    private long applied;
    private long rejected;
    private PolicyStatus serving;

    /**
     * @param activation makes a parsed policy serve; throws {@link IllegalArgumentException} to refuse it
     */
    public PolicyReloader(Path file, PolicyParser parser, Consumer<Policy> activation, PolicyState state,
            InstantSource clock) {
        this.file = file;
        this.parser = parser;
        this.activation = activation;
        this.state = state;
        this.clock = clock;
    }

    /**
     * Loads the policy for start-up.
     *
     * @throws PolicyException listing every problem; start-up should stop
     */
    public synchronized Policy loadInitial() {
        byte[] bytes = read();
        String sha256 = Sha256.hex(bytes);
        Policy policy = parse(bytes);
        try {
            activation.accept(policy);
        } catch (IllegalArgumentException e) {
            throw new PolicyException(file.toString(), List.of(new PolicyProblem("", 0, e.getMessage())));
        }
        lastSeenSha256 = sha256;
        serving = status(policy, sha256, Optional.empty());
        state.update(serving);
        LOG.infof("Policy %s loaded from %s: %d routes, %d credentials", policy.name(), file, policy.routes().size(),
                policy.credentials().size());
        return policy;
    }

    /** Starts watching the file for changes. */
    public synchronized void watch(FileWatcher watcher) {
        registration = watcher.watch(file, this::reloadIfChanged);
    }

    /** Looks at the file again and applies or refuses it if its content changed. */
    public synchronized void reloadIfChanged() {
        byte[] bytes;
        try {
            bytes = read();
        } catch (PolicyException e) {
            refuse(null, e.getMessage());
            return;
        }
        String sha256 = Sha256.hex(bytes);
        if (sha256.equals(lastSeenSha256)) {
            return;
        }
        lastSeenSha256 = sha256;
        Policy policy;
        try {
            policy = parse(bytes);
            activation.accept(policy);
        } catch (PolicyException | IllegalArgumentException e) {
            refuse(sha256, e.getMessage());
            return;
        }
        applied++;
        serving = status(policy, sha256, Optional.empty());
        state.update(serving);
        LOG.infof("Policy %s reloaded from %s: %d routes, %d credentials", policy.name(), file,
                policy.routes().size(), policy.credentials().size());
    }

    private void refuse(String sha256, String reason) {
        if (sha256 == null && serving != null && serving.lastRejection().filter(reason::equals).isPresent()) {
            return; // The same unreadable file, seen again by the poll: already reported.
        }
        rejected++;
        LOG.errorf("Policy change in %s refused; the previous policy keeps serving. %s", file, reason);
        serving = new PolicyStatus(serving.source(), serving.name(), serving.sha256(), serving.routes(),
                serving.credentials(), serving.loadedAt(), applied, rejected, Optional.of(reason),
                Optional.of(clock.instant()));
        state.update(serving);
    }

    private PolicyStatus status(Policy policy, String sha256, Optional<String> rejection) {
        return new PolicyStatus(file.toString(), policy.name(), sha256, policy.routes().size(),
                policy.credentials().size(), clock.instant(), applied, rejected, rejection, Optional.empty());
    }

    private Policy parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(file.toString(), List.of(new PolicyProblem("", 0, "the file is not UTF-8")));
        }
        return parser.parse(text, file.toString());
    }

    private byte[] read() {
        try {
            if (Files.size(file) > PolicyParser.MAX_DOCUMENT_CHARS) {
                throw new PolicyException(file.toString(), List.of(new PolicyProblem("", 0, "the file is too large")));
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyException(file.toString(),
                    List.of(new PolicyProblem("", 0, "cannot read the policy file (" + e.getClass().getSimpleName()
                            + "); set latchkey.policy (env LATCHKEY_POLICY) to a readable YAML file")));
        }
    }

    @Override
    public synchronized void close() {
        if (registration != null) {
            registration.cancel();
        }
    }
}
