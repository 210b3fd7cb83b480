using Orders.Core;
using Orders.Text;

var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => "orders-api: " + Receipt.Line(Order.Sample));
app.Run();
