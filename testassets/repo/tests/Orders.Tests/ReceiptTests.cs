using Microsoft.VisualStudio.TestTools.UnitTesting;
using Orders.Core;
using Orders.Text;

namespace Orders.Tests;

[TestClass]
public sealed class ReceiptTests
{
    [TestMethod]
    public void ALineNamesIdQuantityAndItem() => Assert.AreEqual("#1 2 x tea", Receipt.Line(Order.Sample));
}
