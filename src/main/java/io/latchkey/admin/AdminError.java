package io.latchkey.admin;

/** The admin API's error body: a stable code and a message for people. Never a value. */
public record AdminError(String error, String message) {
}
