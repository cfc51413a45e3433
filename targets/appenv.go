package targets

// AppEnv returns the environment an application under test needs to reach
// the target, as "NAME=value" entries: the endpoint in AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_KINESIS (read by current AWS SDKs) and KBENCH_ENDPOINT
// (for those that do not), the region in AWS_REGION and AWS_DEFAULT_REGION,
// and, for the local kinds, the static credentials they accept. For kind
// aws without an endpoint override only the region is set: the application
// resolves its own credentials.
func (t *Target) AppEnv() []string {
	env := []string{"AWS_REGION=" + t.Region, "AWS_DEFAULT_REGION=" + t.Region}
	if t.Endpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL="+t.Endpoint, "AWS_ENDPOINT_URL_KINESIS="+t.Endpoint,
			"KBENCH_ENDPOINT="+t.Endpoint)
	}
	if t.Kind != KindAWS {
		env = append(env, "AWS_ACCESS_KEY_ID="+localAccessKey, "AWS_SECRET_ACCESS_KEY="+localSecretKey)
	}
	return env
}
