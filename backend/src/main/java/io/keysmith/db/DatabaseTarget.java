package io.keysmith.db;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Where the database is and who connects: the owner (migrations, role set-up) over JDBC, and the non-owner
 * application role that the pool uses, so row-level security applies to every query the server makes.
 */
public record DatabaseTarget(
        String ownerJdbcUrl, String ownerUser, String ownerPassword, PgConnectOptions app, String description) {

    public static DatabaseTarget of(PgConnectOptions owner, String appUser, String appPassword, String description) {
        String jdbc = "jdbc:postgresql://" + owner.getHost() + ":" + owner.getPort() + "/" + owner.getDatabase();
        PgConnectOptions app = new PgConnectOptions()
                .setHost(owner.getHost())
                .setPort(owner.getPort())
                .setDatabase(owner.getDatabase())
                .setUser(appUser)
                .setPassword(appPassword)
                .setSslMode(owner.getSslMode())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(256);
        return new DatabaseTarget(jdbc, owner.getUser(), owner.getPassword(), app, description);
    }

    @Override
    public String toString() {
        return description; // never the passwords
    }
}
