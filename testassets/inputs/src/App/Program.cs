using System.Reflection;

var feed = Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LocalFeed").Value;
var token = Convert.ToHexString(typeof(Inputs.Lib.Greeting).Assembly.GetName().GetPublicKeyToken() ?? []).ToLowerInvariant();
Console.WriteLine($"inputs: {Inputs.Lib.Greeting.Text} token={token} | {Inputs.BuildInfo.Shared} | feed={feed}");
