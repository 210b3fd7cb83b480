// Minimal API with fixed answers. The listening port comes from ASPNETCORE_HTTP_PORTS
// (the runtime images set 8080) or --urls; nothing is hard-coded here.
// "--health": the image's HEALTHCHECK on a shell-less image runs the app itself, which asks the running app over loopback.
if (args is ["--health"])
{
    Environment.Exit(HealthProbe.Check());
}

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/", () => "webapi: ok");
app.MapGet("/uid", () => ProcessUser.Uid());
app.MapGet("/weather", () => new[]
{
    new Forecast(new DateOnly(2024, 1, 1), 21, "Mild"),
    new Forecast(new DateOnly(2024, 1, 2), -3, "Freezing"),
});

app.Run();

record Forecast(DateOnly Date, int TemperatureC, string Summary);

static class ProcessUser
{
    // The real uid is the first number of the "Uid:" line of /proc/self/status.
    public static string Uid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return line["Uid:".Length..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[0];
            }
        }

        return "unknown";
    }
}

static class HealthProbe
{
    /// <summary>0 when / answers with success on the address the app listens on (ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS), else 1.</summary>
    public static int Check()
    {
        var urls = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        var url = string.IsNullOrEmpty(urls)
            ? "http://127.0.0.1:" + (Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? "8080").Split(';')[0]
            : urls.Split(';')[0].Replace("+", "127.0.0.1", StringComparison.Ordinal).Replace("*", "127.0.0.1", StringComparison.Ordinal);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return http.GetAsync(url.TrimEnd('/') + "/").GetAwaiter().GetResult().IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
