package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A database that went away is a 503, whatever shape the connection failure takes; a bug is not")
class FailureHandlerTest {

    @Test
    void connectionFailures_meanTheDatabaseIsUnavailable() {
        // a connection cut mid-query surfaced as a raw "Connection reset" once (UsageMeteringIT's outage): it was a 500
        assertThat(FailureHandler.isDatabaseUnavailable(new SocketException("Connection reset")))
                .isTrue();
        assertThat(FailureHandler.isDatabaseUnavailable(new RuntimeException(new ClosedChannelException())))
                .isTrue();
        assertThat(FailureHandler.isDatabaseUnavailable(new ConnectException("refused")))
                .isTrue();
        assertThat(FailureHandler.isDatabaseUnavailable(ClosedConnectionException.INSTANCE))
                .isTrue();
        assertThat(FailureHandler.isDatabaseUnavailable(new IllegalStateException("a bug")))
                .isFalse();
        assertThat(FailureHandler.isDatabaseUnavailable(new NullPointerException()))
                .isFalse();
    }
}
