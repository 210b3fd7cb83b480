using WorkerService;

var builder = Host.CreateApplicationBuilder(args);
// One line per message keeps the output easy to match in container logs.
builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
builder.Services.AddHostedService<Worker>();

await builder.Build().RunAsync();
