package io.keysmith.config;

/** Where invitation and reset links are mailed from; an empty host means no SMTP (links are only shown). */
public record SmtpSettings(String host, int port, String username, String password, String from, String startTls) {}
