namespace Inputs.Tests;

public static class GreetingTests
{
    public static bool Greets() => Inputs.Lib.Greeting.Text.Length > 0;
}
