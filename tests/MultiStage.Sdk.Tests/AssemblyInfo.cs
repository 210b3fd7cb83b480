// Each test runs dotnet and docker processes that use both cores: run them one at a time.
[assembly: DoNotParallelize]
