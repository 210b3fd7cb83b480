// Minimal API with fixed answers. The listening port comes from ASPNETCORE_HTTP_PORTS
// (the runtime images set 8080) or --urls; nothing is hard-coded here.
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
