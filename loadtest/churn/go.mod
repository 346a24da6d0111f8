module partyhub/loadtest/churn

go 1.19
