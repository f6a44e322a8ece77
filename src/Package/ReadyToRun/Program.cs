namespace KDsl.AnalyzersReadyToRun
{
    /// <summary>Publishing needs an application: crossgen2 precompiles an app and its dependencies, not a library alone.</summary>
    internal static class Program
    {
        private static void Main()
        {
        }
    }
}
