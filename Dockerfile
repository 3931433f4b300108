# unetsharp serve as a container. Build from the repository root:
#   docker build -t unetsharp-serve .
# Run with a run folder mounted at /model and a token file as a secret (without a token the server listens on the
# container's own loopback only, which no one outside can reach):
#   docker run -p 8080:8080 -v $PWD/runs/isbi:/model:ro -v $PWD/token.txt:/run/secrets/unetsharp_token:ro unetsharp-serve
# See docs/SERVE.md.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# publish weakens libLibTorchSharp.so's unused GLIBCXX_3.4.32 need, so the image runs on GCC 12 bases too (build/README.md)
RUN dotnet publish src/UNetSharp.Cli -c Release -r linux-x64 --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# GDCM's C# bindings decode compressed DICOM uploads/inputs (JPEG lossless, JPEG-LS, JPEG 2000, RLE); see docs/CLINICAL.md
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgdcm-cil && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV UNETSHARP_MODEL=/model \
    UNETSHARP_PORT=8080 \
    UNETSHARP_TOKEN_FILE=/run/secrets/unetsharp_token \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
USER $APP_UID
# SIGTERM (docker stop, Kubernetes) stops accepting, finishes the requests in flight, then exits (code 130).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "UNetSharp.Cli.dll", "serve"]
