package postgres

// ConfigFromEnv reads DATABASE_URL from cfg (a map of environment variables); dataDir is
// where a private cluster lives when no URL is set and no server answers locally.
func ConfigFromEnv(cfg map[string]string, dataDir string) Config {
	return Config{URL: cfg["DATABASE_URL"], DataDir: dataDir}
}
