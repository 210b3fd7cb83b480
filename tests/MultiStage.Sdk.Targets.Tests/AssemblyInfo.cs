// Every test builds in this process through MSBuild's one BuildManager, which also sets the process's current folder.
[assembly: DoNotParallelize]
