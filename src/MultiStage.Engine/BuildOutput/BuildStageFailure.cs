using MultiStage.Engine.Client;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// A failed step that printed compiler, MSBuild or NuGet errors: those errors are the failure, reported each at its
/// source line by the caller, so the build's own error only counts them instead of repeating the step's output.
/// </summary>
internal static class BuildStageFailure
{
    public static EngineException FromDiagnostics(EngineException error, BuildDiagnostics diagnostics)
    {
        if (diagnostics.All.Count == 0)
        {
            return error;
        }

        if (error.Code != EngineErrorCodes.StepFailed || diagnostics.ErrorCount == 0)
        {
            error.Diagnostics = diagnostics.All;
            return error;
        }

        return new EngineException(
            EngineErrorCodes.BuildStageErrors,
            $"The build stage failed: {diagnostics.DescribeErrors()}, each reported at its file and line. Fix them and build again.",
            error)
        {
            Step = error.Step,
            ExitCode = error.ExitCode,
            Diagnostics = diagnostics.All,
        };
    }
}
