namespace Inputs;

/// <summary>Linked into App from outside its folder.</summary>
internal static class BuildInfo
{
    public const string Shared = "shared source linked";
}
