# sdk:10.0-noble-aot — sdk plus the native toolchain that Native AOT publish needs.
ARG BASE
FROM ${BASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang lld llvm zlib1g-dev \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
