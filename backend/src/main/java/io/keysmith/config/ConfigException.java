package io.keysmith.config;

/** A setting is missing or invalid; the message is the one line an operator sees before the process exits. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    static ConfigException invalid(String key, String value, String why) {
        return new ConfigException("Invalid setting " + Settings.envName(key) + " (" + key + ")"
                + (value == null ? "" : " = '" + value + "'") + ": " + why);
    }
}
