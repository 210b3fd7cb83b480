using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace App.Tests;

[TestClass]
public sealed class AppMessageTests
{
    [TestMethod]
    public void DescribesStepsInOrderWithTheRepositoryCompany()
    {
        Assert.AreEqual(
            "multiproject: three steps: Restore packages, Publish app, Copy output [company=Multiproject Samples]",
            AppMessage.Build());
    }
}
