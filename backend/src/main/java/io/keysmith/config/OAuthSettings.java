package io.keysmith.config;

/**
 * The authorization server (issue 16): access-token lifetime, the signing algorithm (ES256, or RS256 for resource
 * servers that need it, RFC 9068 §2.1), and how long one signing key signs before the next (already published)
 * takes over.
 */
public record OAuthSettings(int tokenLifetimeSeconds, String signingAlgorithm, int signingKeyRotationHours) {}
