namespace WorkerService;

// Ticks three times, then stops the host so the process (and the container) exits 0.
public sealed class Worker(ILogger<Worker> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    private const int Ticks = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var tick = 1; tick <= Ticks; tick++)
        {
            logger.LogInformation("worker: tick {Tick}", tick);
            if (tick < Ticks)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }

        logger.LogInformation("worker: done");
        lifetime.StopApplication();
    }
}
