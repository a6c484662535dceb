# syntax=docker/dockerfile:1
# Multi-stage build: a static binary on a distroless base, run as non-root.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/dropgate ./cmd/dropgate && mkdir -p /out/var

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/dropgate /usr/local/bin/dropgate
COPY --chown=nonroot:nonroot configs/ /app/configs/
COPY --from=build --chown=nonroot:nonroot /out/var /app/var
USER nonroot:nonroot
# Listen on all interfaces inside the container; state lives in /app/var
# (mount a volume there). With the demo config, serve refuses to start
# until DROPGATE_ADMIN_TOKEN is set: its fallback token is public, and
# 0.0.0.0 is reachable from outside the container.
ENV DROPGATE_LISTEN=0.0.0.0:8080
EXPOSE 8080
VOLUME ["/app/var"]
# The image has no shell and no curl: dropgate probes itself (/readyz,
# at DROPGATE_LISTEN). Exit 0 healthy, 1 not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/dropgate", "healthcheck", "--timeout", "4s"]
ENTRYPOINT ["/usr/local/bin/dropgate", "serve"]
CMD ["--config", "/app/configs/demo.yaml"]
