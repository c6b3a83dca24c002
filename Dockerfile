# The sweepcluster command in a container, for docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/SweepCluster.Cli -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /work
COPY --from=build /app /app
COPY cluster-config /work/cluster-config
COPY sweeps /work/sweeps
ENTRYPOINT ["dotnet", "/app/sweepcluster.dll"]
