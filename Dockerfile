# Keysmith runtime image. Build the jar first (the image build itself needs no Maven and no network beyond the base image):
#   mvn -DskipTests package && docker build -t keysmith:0.1.0 .
# Runs as the non-root user 10001 and suits a read-only root filesystem: everything written goes to /tmp
# (java.io.tmpdir: the Vert.x file cache) or, with the embedded PostgreSQL only, to KEYSMITH_DATA_DIR=/data.
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 keysmith \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin keysmith \
 && mkdir -p /app /data \
 && chown 10001:10001 /data

COPY backend/target/keysmith.jar /app/keysmith.jar

WORKDIR /app
ENV KEYSMITH_DATA_DIR=/data \
    KEYSMITH_LOG_FORMAT=json

USER 10001:10001

# 8080: API, SPA and /health/*; 9090: /metrics and /health/* (management, never expose publicly)
EXPOSE 8080 9090

# exec form: java is PID 1 and receives SIGTERM for the graceful stop (KEYSMITH_SHUTDOWN_GRACE_SECONDS).
# One-shot migrations: docker run keysmith:0.1.0 migrate
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp", "-jar", "/app/keysmith.jar"]
