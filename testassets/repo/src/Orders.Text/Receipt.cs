using System.Globalization;
using Orders.Core;

namespace Orders.Text;

public static class Receipt
{
    public static string Line(Order order) => string.Create(CultureInfo.InvariantCulture, $"#{order.Id} {order.Quantity} x {order.Item}");
}
