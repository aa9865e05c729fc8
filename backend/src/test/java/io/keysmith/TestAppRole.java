package io.keysmith;

import io.keysmith.config.ServerSecret;
import io.keysmith.support.TestServer;

/** The application role's credentials as every test server derives them from {@link TestServer#TEST_SECRET}. */
public final class TestAppRole {
    public static final String NAME = "keysmith_app";

    private TestAppRole() {}

    public static String password() {
        return Keysmith.derivedPassword(ServerSecret.parse(TestServer.TEST_SECRET), NAME);
    }
}
