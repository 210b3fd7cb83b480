using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;

namespace MultiStage.Sdk.Targets.Tests.Infrastructure;

/// <summary>Points the assembly loader at the installed .NET SDK's MSBuild before any MSBuild type is touched.</summary>
internal static class MSBuildRegistration
{
    // A module initializer runs before the test framework first reaches any type of this assembly, so no MSBuild type
    // can load from elsewhere first; an AssemblyInitialize method runs only after the test classes are loaded.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered)
        {
            MSBuildLocator.RegisterDefaults();
        }
    }
}
