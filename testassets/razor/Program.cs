// Razor Pages with static web assets under wwwroot/, served through MapStaticAssets. The listening port comes from
// ASPNETCORE_HTTP_PORTS (the runtime images set 8080) or --urls.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages();
var app = builder.Build();

app.MapStaticAssets();
app.MapRazorPages().WithStaticAssets();
app.MapGet("/ping", () => "razor: ok");

app.Run();
