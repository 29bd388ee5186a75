import MLCICommands

MLCICommand.main()
