package io.keysmith.config;

import java.util.Optional;

/**
 * Leak response (issue 18): where GitHub publishes its secret-scanning public keys, a file of keys in the same JSON
 * format that replaces the URL (offline installations, tests), and how many public revocation requests one address
 * may make a minute.
 */
public record LeakSettings(String githubKeysUrl, Optional<String> githubKeysFile, int revocationsPerMinute) {}
