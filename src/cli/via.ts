// The --via choices. They are the registry's ids (src/sharing/registry.ts MECHANISM_IDS), spelled
// out here because `calshare --help` must not load src/sharing/ (test/unit/cli-startup.test.ts);
// test/unit/sharing-layout.test.ts fails when this list and the registry differ.
export const VIA_CHOICES: readonly string[] = ['cs', 'resource-sharing', 'oc-share', 'acl', 'acl-query'];
