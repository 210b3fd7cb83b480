using Orders.Core;
using Orders.Data;
using Orders.Text;

foreach (var order in OrderStore.All)
{
    Console.WriteLine("orders-worker: " + Receipt.Line(order));
}
