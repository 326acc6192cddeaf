# Container images of K8sCache. Build from the repository root:
#   docker build --target sidecar  -t k8scache/sidecar:0.1.0 .
#   docker build --target operator -t k8scache/operator:0.1.0 .
# The build stage runs scripts/publish.sh, the same script the test suite runs, with Native AOT required (the SDK image
# restores the AOT packs; clang and zlib are installed for the native link): the image ships the AOT build only.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN bash scripts/publish.sh --output /out --aot on

# Small runtime images: chiseled Ubuntu (no shell, no package manager), non-root user 1654 ("app").
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS sidecar
WORKDIR /app
COPY --from=build /out/sidecar/ /app/
# Workstation GC and a conservative heap: a sidecar should stay small beside the application. The entries live outside
# the GC's heap (slab pages), so what the heap holds is requests in flight: a 2 MiB first-generation budget
# (GCgen0size is hexadecimal) keeps their garbage from growing the process; docs/operations.md, "Memory".
ENV DOTNET_gcServer=0 \
    DOTNET_GCConserveMemory=5 \
    DOTNET_GCgen0size=200000 \
    DOTNET_TieredPGO=1
USER 1654
EXPOSE 7070 7071 7072 9090
ENTRYPOINT ["/app/k8scache-sidecar"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS operator
WORKDIR /app
COPY --from=build /out/operator/ /app/
ENV DOTNET_gcServer=0
USER 1654
EXPOSE 8080
ENTRYPOINT ["/app/k8scache-operator"]
