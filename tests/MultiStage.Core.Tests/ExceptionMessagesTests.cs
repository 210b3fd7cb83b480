using MultiStage.Diagnostics;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ExceptionMessagesTests
{
    [TestMethod]
    public void AnAggregateShowsTheFailuresItHoldsNotItsOwnWrapperText()
    {
        var aggregate = new AggregateException(
            new InvalidOperationException("The project file 'Lib.csproj' could not be loaded. Root element is missing."),
            new AggregateException(new InvalidOperationException("The imported project 'x.props' was not found.")),
            new InvalidOperationException("The project file 'Lib.csproj' could not be loaded. Root element is missing."));

        var message = ExceptionMessages.Of(aggregate);

        Assert.AreEqual("The project file 'Lib.csproj' could not be loaded. Root element is missing. The imported project 'x.props' was not found.", message);
        Assert.IsFalse(message.Contains("One or more errors occurred", StringComparison.Ordinal));
    }

    [TestMethod]
    public void AnyOtherExceptionKeepsItsMessage()
    {
        Assert.AreEqual("disk full", ExceptionMessages.Of(new IOException("disk full")));
    }
}
