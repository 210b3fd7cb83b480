namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>Runs the webapi test app's image on a free loopback port until it answers, for a test to query.</summary>
public static class WebAppContainer
{
    /// <summary>Starts <paramref name="image"/>, asserts that / answers "webapi: ok" (or holds <paramref name="expected"/>), runs <paramref name="check"/> with the client and base URL, removes the container.</summary>
    public static void Run(string image, Action<HttpClient, string>? check = null, string? expected = null)
    {
        var port = DockerCli.FreeLoopbackPort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var container = DockerCli.Run("run", "-d", "--network", "host", "-e", $"ASPNETCORE_URLS={baseUrl}", image).EnsureSuccess().Output.Trim().Split('\n').Last();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string? body = null;
            for (var attempt = 0; attempt < 60 && body is null; attempt++)
            {
                try
                {
                    body = http.GetStringAsync(baseUrl + "/").GetAwaiter().GetResult();
                }
                catch (HttpRequestException)
                {
                    Thread.Sleep(500);
                }
            }

            if (expected is null)
            {
                Assert.AreEqual("webapi: ok", body, DockerCli.Run("logs", container).Output);
            }
            else
            {
                StringAssert.Contains(body, expected, DockerCli.Run("logs", container).Output);
            }

            check?.Invoke(http, baseUrl);
        }
        finally
        {
            DockerCli.Run("rm", "-f", container);
        }
    }
}
