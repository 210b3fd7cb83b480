using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class ClientPushFailureTests
{
    [TestMethod]
    [DataRow("Get \"http://127.0.0.1:40379/v2/\": dial tcp 127.0.0.1:40379: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    [DataRow("Get \"http://127.0.0.1:40179/v2/\": dial tcp 127.0.0.1:40179: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    [DataRow("Get \"http://127.0.0.1:50012/v2/\": dial tcp 127.0.0.1:50012: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    [DataRow("unexpected status: 403 Forbidden", EngineErrorCodes.RegistryDenied)]
    [DataRow("unexpected status: 401 Unauthorized", EngineErrorCodes.RegistryUnauthorized)]
    [DataRow("received unexpected HTTP status: 500 Internal Server Error", EngineErrorCodes.RegistryServerError)]
    public void RegistryFailuresAreClassifiedByTheirMeaningNotByDigitsInAPort(string engineMessage, string code)
    {
        var error = EngineClient.PushFailure(engineMessage, "127.0.0.1:40379/app:1", "127.0.0.1:40379");
        Assert.AreEqual(code, error.Code, error.Message);
    }
}
