package io.latchkey.credential.oauth;

import java.time.Duration;
import java.util.Optional;

import io.latchkey.secret.Secret;

/** A successful answer from a token endpoint, already checked. */
record TokenResponse(Secret accessToken, Optional<Duration> expiresIn, Optional<Secret> refreshToken) {
}
