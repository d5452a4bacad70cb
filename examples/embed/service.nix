# A small service configuration: a function of the deployment environment.
{ env ? "dev" }:
let
  base = { replicas = 1; hosts = [ "localhost" ]; };
  mk = name: port: base // { inherit name port; } // (if env == "prod" then { replicas = 3; hosts = [ "a.example" "b.example" ]; } else { });
in
[ (mk "web" 8080) (mk "api" 9090) ]
