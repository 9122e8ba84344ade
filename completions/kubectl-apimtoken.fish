function __kubectl-apimtoken_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __kubectl-apimtoken_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __kubectl-apimtoken_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __kubectl-apimtoken_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __kubectl-apimtoken_parse_tokens -S
    set -l unparsed_tokens (__kubectl-apimtoken_tokens -pc)
    switch $unparsed_tokens[1]
    case 'kubectl-apimtoken'
        __kubectl-apimtoken_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'status'
            __kubectl-apimtoken_parse_subcommand -r 1 'A/all-namespaces' 'o/output=' 'warn-within=' 'kubeconfig=' 'context=' 'n/namespace=' 'request-timeout=' 'contexts=' 'all-contexts' 'v/verbose' 'no-color' 'version' 'h/help'
        case 'rotate'
            __kubectl-apimtoken_parse_subcommand -r 1 'A/all-namespaces' 'parallel=' 's/subscription-id=' 'r/resource-group=' 'a/apim-instance=' 'g/apim-gateway=' 't/token-secret=' 'token-secret-key=' 'restart=+' 'no-restart' 'cloud=' 'arm-endpoint=' 'api-version=' 'k/token-key=' 'if-expires-within=' 'create-secret' 'dry-run' 'no-wait' 'validity=' 'timeout=' 'deadline=' 'o/output=' 'l/login-method=' 'client-id=' 'client-secret=' 'client-certificate=' 'tenant=' 'kubeconfig=' 'context=' 'n/namespace=' 'request-timeout=' 'contexts=' 'all-contexts' 'v/verbose' 'no-color' 'version' 'h/help'
        case 'switch-key'
            __kubectl-apimtoken_parse_subcommand 0 'to=' 'regenerate-old' 'yes' 'validity=' 'timeout=' 'deadline=' 'o/output=' 's/subscription-id=' 'r/resource-group=' 'a/apim-instance=' 'g/apim-gateway=' 't/token-secret=' 'token-secret-key=' 'restart=+' 'no-restart' 'cloud=' 'arm-endpoint=' 'api-version=' 'l/login-method=' 'client-id=' 'client-secret=' 'client-certificate=' 'tenant=' 'kubeconfig=' 'context=' 'n/namespace=' 'request-timeout=' 'contexts=' 'all-contexts' 'v/verbose' 'no-color' 'version' 'h/help'
        case 'install-cronjob'
            __kubectl-apimtoken_parse_subcommand -r 1 'A/all-namespaces' 's/subscription-id=' 'r/resource-group=' 'a/apim-instance=' 'g/apim-gateway=' 't/token-secret=' 'token-secret-key=' 'restart=+' 'no-restart' 'cloud=' 'arm-endpoint=' 'api-version=' 'identity=' 'client-id=' 'tenant=' 'identity-resource-id=' 'sp-secret=' 'client-secret=' 'k/token-key=' 'schedule=' 'time-zone=' 'if-expires-within=' 'image=' 'successful-jobs-history-limit=' 'failed-jobs-history-limit=' 'active-deadline-seconds=' 'backoff-limit=' 'dry-run=' 'o/output=' 'uninstall' 'run-now' 'print-azure-role' 'allow-key-regeneration' 'kubeconfig=' 'context=' 'n/namespace=' 'request-timeout=' 'v/verbose' 'no-color' 'version' 'h/help'
        case 'help'
            __kubectl-apimtoken_parse_subcommand -r 1 'version'
        end
    end
end

function __kubectl-apimtoken_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __kubectl-apimtoken_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __kubectl-apimtoken_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __kubectl-apimtoken_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__kubectl-apimtoken_tokens -p)
    if test -z "$(__kubectl-apimtoken_tokens -t)"
        set -l index (count (__kubectl-apimtoken_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'kubectl-apimtoken' -f
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken" version' -l 'version' -d 'Show the version.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_positional "kubectl-apimtoken" -eq 1' -fa 'status' -d 'Show every gateway\'s token: expiry, time left, key, rotation and CronJob.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_positional "kubectl-apimtoken" -eq 1' -fa 'rotate' -d 'Generate a new token, write it to the Secret, restart the gateway and wait for it.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_positional "kubectl-apimtoken" -eq 1' -fa 'switch-key' -d 'Move the gateway to the other key safely, and optionally regenerate the old one.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_positional "kubectl-apimtoken" -eq 1' -fa 'install-cronjob' -d 'Install a least-privilege CronJob that runs rotate in the cluster.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_positional "kubectl-apimtoken" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" A all-namespaces' -s 'A' -l 'all-namespaces' -d 'Every namespace.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" o output' -s 'o' -l 'output' -d 'table, wide, json or yaml.' -rfka 'table wide json yaml'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" warn-within' -l 'warn-within' -d 'Warn (exit 8) when a token expires within this (default 7d).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" context' -l 'context' -d 'The kubeconfig context to use.' -rfka '(__kubectl-apimtoken_custom_completion ---completion status -- --context (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" n namespace' -s 'n' -l 'namespace' -d 'The namespace (default: the context\'s, else NAMESPACE, else default).' -rfka '(__kubectl-apimtoken_custom_completion ---completion status -- --namespace (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" request-timeout' -l 'request-timeout' -d 'The time limit of each API request, e.g. 30s (0 means the default of 60s).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" contexts' -l 'contexts' -d 'Run against these kubeconfig contexts, comma-separated (each resolved as --context is).' -rfka '(__kubectl-apimtoken_custom_completion ---completion status -- --contexts (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" all-contexts' -l 'all-contexts' -d 'Run against every context of the kubeconfig.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status"' -s 'v' -l 'verbose' -d 'More detail on stderr; repeat (-vvv) for more. Secrets are never shown.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" no-color' -l 'no-color' -d 'No colour (also when NO_COLOR is set).'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" version' -l 'version' -d 'Show the version.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" A all-namespaces' -s 'A' -l 'all-namespaces' -d 'Every gateway in every namespace you can list.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" parallel' -l 'parallel' -d 'With GATEWAY… or -A: how many gateways are rotated at once.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" s subscription-id' -s 's' -l 'subscription-id' -d 'Azure subscription id [SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" r resource-group' -s 'r' -l 'resource-group' -d 'Resource group of the APIM instance [RESOURCE_GROUP].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" a apim-instance' -s 'a' -l 'apim-instance' -d 'APIM instance name [APIM_INSTANCE].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" apim-gateway g' -s 'g' -l 'apim-gateway' -d 'Self-hosted gateway name [APIM_GATEWAY] (default: discovered).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" t token-secret' -s 't' -l 'token-secret' -d 'Secret that holds the token [TOKEN_SECRET] (default: discovered).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" token-secret-key' -l 'token-secret-key' -d 'Key in the Secret [TOKEN_SECRET_KEY] (default: discovered, else value).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate"' -l 'restart' -d 'Workload to restart, TYPE/NAME [K8S_OBJECT] (default: every workload using the Secret).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" no-restart' -l 'no-restart' -d 'Do not restart any workload.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" cloud' -l 'cloud' -d 'Azure cloud: AzureCloud, AzureUSGovernment, AzureChinaCloud [AZURE_CLOUD].' -rfka 'AzureCloud AzureUSGovernment AzureChinaCloud'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" arm-endpoint' -l 'arm-endpoint' -d 'Azure Resource Manager endpoint [ARM_ENDPOINT].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" api-version' -l 'api-version' -d 'ARM api-version (default 2024-05-01).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" k token-key' -s 'k' -l 'token-key' -d 'last, rotate, primary or secondary [TOKEN_KEY] (default last).' -rfka 'last rotate primary secondary'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" if-expires-within' -l 'if-expires-within' -d 'Only rotate when the token expires within this (e.g. 10d).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" create-secret' -l 'create-secret' -d 'Create the Secret when it does not exist.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" dry-run' -l 'dry-run' -d 'Print the plan; change nothing and call no Azure API.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" no-wait' -l 'no-wait' -d 'Do not wait for the rollout.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" validity' -l 'validity' -d 'How long the new token is valid (at most 30d; default 29d).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" timeout' -l 'timeout' -d 'How long to wait for the rollouts, all workloads together (default 10m).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" deadline' -l 'deadline' -d 'Stop the whole run after this long, saying what was done (default: none; the CronJob sets one).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" o output' -s 'o' -l 'output' -d 'text or json.' -rfka 'text json'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" l login-method' -s 'l' -l 'login-method' -d 'auto, workload-identity, identity, sp or azurecli [LOGIN_METHOD].' -rfka 'auto workload-identity identity sp azurecli'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" client-id' -l 'client-id' -d 'Application or user-assigned identity client id [AZURE_CLIENT_ID, SP_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" client-secret' -l 'client-secret' -d 'Client secret, or a path to a PEM certificate and key [AZURE_CLIENT_SECRET, SP_SECRET]. Prefer the env var: flags show in ps.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" client-certificate' -l 'client-certificate' -d 'PEM certificate and key of a service principal [AZURE_CLIENT_CERTIFICATE_PATH].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" tenant' -l 'tenant' -d 'Tenant id [AZURE_TENANT_ID, TENANT_ID, TENANT].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" context' -l 'context' -d 'The kubeconfig context to use.' -rfka '(__kubectl-apimtoken_custom_completion ---completion rotate -- --context (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" n namespace' -s 'n' -l 'namespace' -d 'The namespace (default: the context\'s, else NAMESPACE, else default).' -rfka '(__kubectl-apimtoken_custom_completion ---completion rotate -- --namespace (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" request-timeout' -l 'request-timeout' -d 'The time limit of each API request, e.g. 30s (0 means the default of 60s).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" contexts' -l 'contexts' -d 'Run against these kubeconfig contexts, comma-separated (each resolved as --context is).' -rfka '(__kubectl-apimtoken_custom_completion ---completion rotate -- --contexts (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" all-contexts' -l 'all-contexts' -d 'Run against every context of the kubeconfig.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate"' -s 'v' -l 'verbose' -d 'More detail on stderr; repeat (-vvv) for more. Secrets are never shown.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" no-color' -l 'no-color' -d 'No colour (also when NO_COLOR is set).'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" version' -l 'version' -d 'Show the version.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken rotate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" to' -l 'to' -d 'The key to move to (default: the other one).' -rfka 'primary secondary'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" regenerate-old' -l 'regenerate-old' -d 'After a complete rollout, regenerate the key that was in use.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" yes' -l 'yes' -d 'Do not ask for confirmation.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" validity' -l 'validity' -d 'How long the new token is valid (at most 30d; default 29d).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" timeout' -l 'timeout' -d 'How long to wait for the rollouts, all workloads together (default 10m).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" deadline' -l 'deadline' -d 'Stop the whole run after this long, saying what was done (default: none; the CronJob sets one).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" o output' -s 'o' -l 'output' -d 'text or json.' -rfka 'text json'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" s subscription-id' -s 's' -l 'subscription-id' -d 'Azure subscription id [SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" r resource-group' -s 'r' -l 'resource-group' -d 'Resource group of the APIM instance [RESOURCE_GROUP].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" a apim-instance' -s 'a' -l 'apim-instance' -d 'APIM instance name [APIM_INSTANCE].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" apim-gateway g' -s 'g' -l 'apim-gateway' -d 'Self-hosted gateway name [APIM_GATEWAY] (default: discovered).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" t token-secret' -s 't' -l 'token-secret' -d 'Secret that holds the token [TOKEN_SECRET] (default: discovered).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" token-secret-key' -l 'token-secret-key' -d 'Key in the Secret [TOKEN_SECRET_KEY] (default: discovered, else value).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key"' -l 'restart' -d 'Workload to restart, TYPE/NAME [K8S_OBJECT] (default: every workload using the Secret).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" no-restart' -l 'no-restart' -d 'Do not restart any workload.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" cloud' -l 'cloud' -d 'Azure cloud: AzureCloud, AzureUSGovernment, AzureChinaCloud [AZURE_CLOUD].' -rfka 'AzureCloud AzureUSGovernment AzureChinaCloud'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" arm-endpoint' -l 'arm-endpoint' -d 'Azure Resource Manager endpoint [ARM_ENDPOINT].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" api-version' -l 'api-version' -d 'ARM api-version (default 2024-05-01).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" l login-method' -s 'l' -l 'login-method' -d 'auto, workload-identity, identity, sp or azurecli [LOGIN_METHOD].' -rfka 'auto workload-identity identity sp azurecli'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" client-id' -l 'client-id' -d 'Application or user-assigned identity client id [AZURE_CLIENT_ID, SP_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" client-secret' -l 'client-secret' -d 'Client secret, or a path to a PEM certificate and key [AZURE_CLIENT_SECRET, SP_SECRET]. Prefer the env var: flags show in ps.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" client-certificate' -l 'client-certificate' -d 'PEM certificate and key of a service principal [AZURE_CLIENT_CERTIFICATE_PATH].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" tenant' -l 'tenant' -d 'Tenant id [AZURE_TENANT_ID, TENANT_ID, TENANT].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" context' -l 'context' -d 'The kubeconfig context to use.' -rfka '(__kubectl-apimtoken_custom_completion ---completion switch-key -- --context (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" n namespace' -s 'n' -l 'namespace' -d 'The namespace (default: the context\'s, else NAMESPACE, else default).' -rfka '(__kubectl-apimtoken_custom_completion ---completion switch-key -- --namespace (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" request-timeout' -l 'request-timeout' -d 'The time limit of each API request, e.g. 30s (0 means the default of 60s).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" contexts' -l 'contexts' -d 'Run against these kubeconfig contexts, comma-separated (each resolved as --context is).' -rfka '(__kubectl-apimtoken_custom_completion ---completion switch-key -- --contexts (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" all-contexts' -l 'all-contexts' -d 'Run against every context of the kubeconfig.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key"' -s 'v' -l 'verbose' -d 'More detail on stderr; repeat (-vvv) for more. Secrets are never shown.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" no-color' -l 'no-color' -d 'No colour (also when NO_COLOR is set).'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" version' -l 'version' -d 'Show the version.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken switch-key" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" A all-namespaces' -s 'A' -l 'all-namespaces' -d 'Every token gateway in every namespace you can list, one set each.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" s subscription-id' -s 's' -l 'subscription-id' -d 'Azure subscription id [SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" r resource-group' -s 'r' -l 'resource-group' -d 'Resource group of the APIM instance [RESOURCE_GROUP].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" a apim-instance' -s 'a' -l 'apim-instance' -d 'APIM instance name [APIM_INSTANCE].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" apim-gateway g' -s 'g' -l 'apim-gateway' -d 'Self-hosted gateway name [APIM_GATEWAY] (default: discovered).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" t token-secret' -s 't' -l 'token-secret' -d 'Secret that holds the token [TOKEN_SECRET] (default: discovered).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" token-secret-key' -l 'token-secret-key' -d 'Key in the Secret [TOKEN_SECRET_KEY] (default: discovered, else value).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob"' -l 'restart' -d 'Workload to restart, TYPE/NAME [K8S_OBJECT] (default: every workload using the Secret).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" no-restart' -l 'no-restart' -d 'Do not restart any workload.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" cloud' -l 'cloud' -d 'Azure cloud: AzureCloud, AzureUSGovernment, AzureChinaCloud [AZURE_CLOUD].' -rfka 'AzureCloud AzureUSGovernment AzureChinaCloud'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" arm-endpoint' -l 'arm-endpoint' -d 'Azure Resource Manager endpoint [ARM_ENDPOINT].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" api-version' -l 'api-version' -d 'ARM api-version (default 2024-05-01).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" identity' -l 'identity' -d 'workload-identity, aad-pod-identity or service-principal.' -rfka 'workload-identity aad-pod-identity service-principal'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" client-id' -l 'client-id' -d 'Client id of the workload identity, managed identity or service principal [AZURE_CLIENT_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" tenant' -l 'tenant' -d 'Tenant id [AZURE_TENANT_ID].' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" identity-resource-id' -l 'identity-resource-id' -d 'ARM id of the user-assigned managed identity (aad-pod-identity).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" sp-secret' -l 'sp-secret' -d 'Existing Secret with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID (service-principal).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" client-secret' -l 'client-secret' -d 'Create the service principal\'s Secret with this secret [AZURE_CLIENT_SECRET]; never printed.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" k token-key' -s 'k' -l 'token-key' -d 'The key mode the job uses (default last).' -rfka 'last rotate primary secondary'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" schedule' -l 'schedule' -d 'Cron schedule.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" time-zone' -l 'time-zone' -d 'IANA time zone of the schedule.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" if-expires-within' -l 'if-expires-within' -d 'The job rotates only when the token expires within this (default 10d).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" image' -l 'image' -d 'The image (default ghcr.io/kubectl-apimtoken/kubectl-apimtoken:0.1.0).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" successful-jobs-history-limit' -l 'successful-jobs-history-limit' -d 'Finished jobs kept.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" failed-jobs-history-limit' -l 'failed-jobs-history-limit' -d 'Failed jobs kept.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" active-deadline-seconds' -l 'active-deadline-seconds' -d 'Time limit of one run.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" backoff-limit' -l 'backoff-limit' -d 'Retries of a failed run.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" dry-run' -l 'dry-run' -d 'client: print the manifests; server: let the API server validate them (dryRun=All).' -rfka 'client server none'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" o output' -s 'o' -l 'output' -d 'yaml or json (with --dry-run=client), text or json otherwise.' -rfka 'yaml json text'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" uninstall' -l 'uninstall' -d 'Delete what install-cronjob installed for this gateway (by label); with GATEWAY… or -A, for each one.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" run-now' -l 'run-now' -d 'Create a Job from the CronJob now.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" print-azure-role' -l 'print-azure-role' -d 'Print the least-privilege Azure custom role JSON and exit.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" allow-key-regeneration' -l 'allow-key-regeneration' -d 'Include regenerateKey in the Azure role (for switch-key --regenerate-old).'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use.' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" context' -l 'context' -d 'The kubeconfig context to use.' -rfka '(__kubectl-apimtoken_custom_completion ---completion install-cronjob -- --context (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" n namespace' -s 'n' -l 'namespace' -d 'The namespace (default: the context\'s, else NAMESPACE, else default).' -rfka '(__kubectl-apimtoken_custom_completion ---completion install-cronjob -- --namespace (count (__kubectl-apimtoken_tokens -pc)) (__kubectl-apimtoken_tokens -tC))'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" request-timeout' -l 'request-timeout' -d 'The time limit of each API request, e.g. 30s (0 means the default of 60s).' -rfka ''
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob"' -s 'v' -l 'verbose' -d 'More detail on stderr; repeat (-vvv) for more. Secrets are never shown.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" no-color' -l 'no-color' -d 'No colour (also when NO_COLOR is set).'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" version' -l 'version' -d 'Show the version.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken install-cronjob" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'kubectl-apimtoken' -n '__kubectl-apimtoken_should_offer_completions_for_flags_or_options "kubectl-apimtoken help" version' -l 'version' -d 'Show the version.'
