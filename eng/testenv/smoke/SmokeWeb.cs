// Starts Kestrel on a loopback port, calls itself and prints: aspnet-version|user|body
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var app = builder.Build();
app.MapGet("/", () => "pong");
await app.StartAsync();

using var client = new HttpClient();
var body = await client.GetStringAsync(app.Urls.First());
Console.WriteLine($"{typeof(WebApplication).Assembly.GetName().Version}|{Environment.UserName}|{body}");
await app.StopAsync();
