// The launcher as a library, for the end-to-end tests: startPlatform() runs the whole
// platform (or a part of it) on free ports; spawnService() adds one more process of a service.
export { startPlatform, resolveServices, REPO_ROOT, type Platform, type PlatformOptions, type SpawnOptions } from './platform.ts';
export { SERVICES, portEnvName, urlEnvName, databaseEnvName, type ServiceSpec } from './services.ts';
export { DEFAULT_RESTART_POLICY, StartupError, type RestartPolicy, type ServiceProcess, type ProcessStatus } from './supervisor.ts';
export type { LauncherLog, Level } from './logs.ts';
