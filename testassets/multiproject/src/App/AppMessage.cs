using System.Reflection;
using Lib.Core;
using Lib.Formatting;

#if !MULTIPROJECT_COMMON_PROPS
#error build/common.props was not imported: Directory.Build.props or the file itself is missing.
#endif

namespace App;

public static class AppMessage
{
    // The company comes from Directory.Build.props, so the line also shows that file took part.
    public static string Build()
    {
        var company = typeof(AppMessage).Assembly.GetCustomAttribute<AssemblyCompanyAttribute>()?.Company ?? "none";
        return $"multiproject: {StepFormatter.Describe(Pipeline.Default)} [company={company}]";
    }
}
