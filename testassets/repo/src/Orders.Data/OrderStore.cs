using Orders.Core;

namespace Orders.Data;

public static class OrderStore
{
    public static IReadOnlyList<Order> All { get; } = [Order.Sample, new(2, "bread", 1)];
}
