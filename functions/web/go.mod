module github.com/taskwire/taskwire/functions/web

go 1.26.0

replace (
	github.com/taskwire/taskwire/migrations => ../../migrations
	github.com/taskwire/taskwire/shared => ../../shared
)

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/stretchr/testify v1.12.1
	github.com/taskwire/taskwire/shared v0.0.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/teambition/rrule-go v1.8.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/text v0.42.0 // indirect
)

replace github.com/modern-go/reflect2 => ../../shared/third_party/reflect2
