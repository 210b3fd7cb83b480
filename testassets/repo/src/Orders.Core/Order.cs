namespace Orders.Core;

public sealed record Order(int Id, string Item, int Quantity)
{
    public static Order Sample { get; } = new(1, "tea", 2);
}
