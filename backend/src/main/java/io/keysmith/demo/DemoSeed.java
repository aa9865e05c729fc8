package io.keysmith.demo;

import io.keysmith.auth.PasswordHasher;
import io.keysmith.db.DatabaseTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Random;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --demo} (or KEYSMITH_DEMO=true): one demo organization with users, a custom access level and people, so
 * a newcomer sees a populated system. Idempotent: seeded once, recognised by name afterwards. The owner's password
 * is generated once, kept in the data directory (0600) and printed at every start. Off by default.
 */
public final class DemoSeed {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeed.class);
    public static final String ORGANIZATION = "Keysmith Demo";
    public static final String OWNER_EMAIL = "owner@demo.keysmith.dev";

    private static final String[] FIRST = {
        "Ada",
        "Grace",
        "Alan",
        "Katherine",
        "Linus",
        "Margaret",
        "Dennis",
        "Barbara",
        "Ken",
        "Frances",
        "Edsger",
        "Radia",
        "Donald",
        "Hedy",
        "Tim",
        "Annie",
        "Guido",
        "Joan",
        "Bjarne",
        "Shafi"
    };
    private static final String[] LAST = {
        "Lovelace",
        "Hopper",
        "Turing",
        "Johnson",
        "Torvalds",
        "Hamilton",
        "Ritchie",
        "Liskov",
        "Thompson",
        "Allen",
        "Dijkstra",
        "Perlman",
        "Knuth",
        "Lamarr",
        "Berners-Lee",
        "Easley",
        "van Rossum",
        "Clarke",
        "Stroustrup",
        "Goldwasser"
    };
    private static final String[] DEPARTMENTS = {"Engineering", "Finance", "People", "Sales", "Support", "Operations"};
    private static final String[] LOCATIONS = {"Berlin", "Lisbon", "Toronto", "Remote", "London"};

    private DemoSeed() {}

    public static void run(DatabaseTarget target, Path dataDir) {
        try (Connection c =
                DriverManager.getConnection(target.ownerJdbcUrl(), target.ownerUser(), target.ownerPassword())) {
            String password = password(dataDir);
            c.setAutoCommit(false);
            UUID org = existing(c);
            if (org == null) {
                seed(c, password);
                c.commit();
            }
            LOG.warn("Demo mode: sign in as {} with password {} (do not expose a demo server)", OWNER_EMAIL, password);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Cannot seed the demo organization: " + e.getMessage(), e);
        }
    }

    private static UUID existing(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM organizations WHERE name = ?")) {
            st.setString(1, ORGANIZATION);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? (UUID) rs.getObject(1) : null;
            }
        }
    }

    private static void seed(Connection c, String password) throws SQLException {
        UUID org;
        try (PreparedStatement st = c.prepareStatement("SELECT ks_create_organization(?)")) {
            st.setString(1, ORGANIZATION);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                org = (UUID) rs.getObject(1);
            }
        }
        try (PreparedStatement st = c.prepareStatement("SELECT set_config('app.organization_id', ?, true)")) {
            st.setString(1, org.toString());
            st.execute();
        }
        UUID payrollLevel;
        try (PreparedStatement st = c.prepareStatement("INSERT INTO access_levels (organization_id, name, description,"
                + " record_scope, field_rights, permissions) VALUES (?, 'Payroll partner', 'What the payroll provider needs.',"
                + " 'ALL', '{\"firstName\":\"VIEW\",\"lastName\":\"VIEW\",\"workEmail\":\"VIEW\",\"department\":\"VIEW\","
                + "\"employmentStatus\":\"VIEW\",\"salary\":\"VIEW\"}'::jsonb, ARRAY['people:read','keys:create-own'])"
                + " RETURNING id")) {
            st.setObject(1, org);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                payrollLevel = (UUID) rs.getObject(1);
            }
        }
        String hash = PasswordHasher.hashNow(password);
        UUID owner = user(c, org, OWNER_EMAIL, "Ada", "Lovelace", "EMPLOYEE", builtin(c, "ACCOUNT_OWNER"), hash);
        user(c, org, "admin@demo.keysmith.dev", "Grace", "Hopper", "EMPLOYEE", builtin(c, "FULL_ADMIN"), null);
        UUID employee =
                user(c, org, "alan@demo.keysmith.dev", "Alan", "Turing", "EMPLOYEE", builtin(c, "EMPLOYEE"), null);
        user(
                c,
                org,
                "payroll-integration@demo.keysmith.dev",
                "Payroll",
                "Integration",
                "NON_EMPLOYEE",
                payrollLevel,
                null);

        Random random = new Random(7);
        try (PreparedStatement st =
                c.prepareStatement("INSERT INTO people (organization_id, user_id, first_name, last_name,"
                        + " work_email, job_title, department, hire_date, employment_status, location, salary, date_of_birth,"
                        + " national_id, home_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < 60; i++) {
                String first = i == 0 ? "Ada" : i == 1 ? "Alan" : FIRST[random.nextInt(FIRST.length)];
                String last = i == 0 ? "Lovelace" : i == 1 ? "Turing" : LAST[random.nextInt(LAST.length)];
                String dept = DEPARTMENTS[random.nextInt(DEPARTMENTS.length)];
                st.setObject(1, org);
                st.setObject(2, i == 0 ? owner : i == 1 ? employee : null);
                st.setString(3, first);
                st.setString(4, last);
                st.setString(5, (first + "." + last + i).toLowerCase().replace(' ', '-') + "@demo.keysmith.dev");
                st.setString(6, dept + (random.nextBoolean() ? " Specialist" : " Lead"));
                st.setString(7, dept);
                st.setObject(
                        8, LocalDate.of(2015 + random.nextInt(10), 1 + random.nextInt(12), 1 + random.nextInt(28)));
                st.setString(9, random.nextInt(20) == 0 ? "ON_LEAVE" : "ACTIVE");
                st.setString(10, LOCATIONS[random.nextInt(LOCATIONS.length)]);
                st.setBigDecimal(11, java.math.BigDecimal.valueOf(45_000 + random.nextInt(90_000)));
                st.setObject(
                        12, LocalDate.of(1960 + random.nextInt(40), 1 + random.nextInt(12), 1 + random.nextInt(28)));
                st.setString(13, "DEMO-" + (100000 + random.nextInt(900000)));
                st.setString(
                        14,
                        (1 + random.nextInt(200)) + " Example Street, " + LOCATIONS[random.nextInt(LOCATIONS.length)]);
                st.addBatch();
            }
            st.executeBatch();
        }
        LOG.info("Seeded the demo organization '{}' with 4 users and 60 people", ORGANIZATION);
    }

    private static UUID builtin(Connection c, String builtin) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM access_levels WHERE builtin = ?")) {
            st.setString(1, builtin);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return (UUID) rs.getObject(1);
            }
        }
    }

    private static UUID user(
            Connection c,
            UUID org,
            String email,
            String first,
            String last,
            String kind,
            UUID level,
            String passwordHash)
            throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement("INSERT INTO users (organization_id, email, first_name, last_name, kind,"
                        + " access_level_id, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            st.setObject(1, org);
            st.setString(2, email);
            st.setString(3, first);
            st.setString(4, last);
            st.setString(5, kind);
            st.setObject(6, level);
            st.setString(7, passwordHash);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return (UUID) rs.getObject(1);
            }
        }
    }

    private static String password(Path dataDir) throws IOException {
        Path file = dataDir.resolve("demo-password");
        if (!Files.exists(file)) {
            byte[] b = new byte[12];
            new SecureRandom().nextBytes(b);
            Files.createDirectories(dataDir);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(
                    file, Base64.getUrlEncoder().withoutPadding().encodeToString(b), StandardCharsets.US_ASCII);
        }
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }
}
